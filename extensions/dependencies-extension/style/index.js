import '@workbench/dependencies-ui/style/index.js';
import './base.css';
