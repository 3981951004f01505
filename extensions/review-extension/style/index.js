import '@workbench/review-ui/style/index.js';
import './base.css';
