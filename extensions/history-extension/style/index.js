import '@workbench/history/style/index.js';
import './base.css';
