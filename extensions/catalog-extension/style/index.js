import '@workbench/catalog-ui/style/index.js';
import './base.css';
