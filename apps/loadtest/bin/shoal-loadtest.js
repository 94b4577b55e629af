#!/usr/bin/env node
// The command's entry: committed (npm links a workspace bin at install time, before dist/ is built), so
// `npx shoal-loadtest` works right after `npm ci && npm run build`.
import '../dist/cli.js';
