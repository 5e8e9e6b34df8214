#!/usr/bin/env node
// The `milepost` executable: runs the TypeScript CLI through tsx, so `npx milepost ...` works in a
// checkout without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./milepost.ts');
