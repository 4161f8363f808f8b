// Imported first by the broker's entry point (main.ts), so that the bundle's first code after
// esbuild's banner sets every signal listener, before anything else is even evaluated.
import { installSignalHandlers } from './signals.js';

installSignalHandlers();
