#!/usr/bin/env node
// Runs the TypeScript CLI in this process through tsx's loader, so `npx adoption` needs no build step
// and a signal sent to this process reaches the command itself.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
