#!/usr/bin/env node
// The installed `certsvc`: loads the TypeScript sources through tsx's ESM loader.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/index.ts");
