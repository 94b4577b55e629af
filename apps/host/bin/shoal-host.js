#!/usr/bin/env node
// Committed so npm can link the bin at install time, before `npm run build` has made dist/.
import '../dist/cli.js';
