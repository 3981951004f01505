import '@workbench/connections-ui/style/index.js';
import './base.css';
