import '@workbench/environments-ui/style/index.js';
