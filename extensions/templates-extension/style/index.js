import '@workbench/templates-ui/style/index.js';
