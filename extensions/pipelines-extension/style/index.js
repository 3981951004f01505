import '@workbench/pipelines-ui/style/index.js';
import './base.css';
