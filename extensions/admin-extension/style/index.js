import '@workbench/admin/style/index.js';
import './base.css';
