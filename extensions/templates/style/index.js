import '@workbench/lab-common/style/index.js';
import '@workbench/history/style/index.js';
import './base.css';
