import '@workbench/lab-common/style/index.js';
import './base.css';
