import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'build-context',
  title: "Build context inside the current directory",
  reason: "The build context and Dockerfile are read from the host: anything outside the current directory, from stdin or from a remote URL, escapes review.",
  fix: "Run the build from your project directory with a context such as . or app/ and a Dockerfile inside it.",
};
