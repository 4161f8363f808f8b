import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'trusted-image',
  title: "Images from the trusted registry only",
  reason: "Only images from the organisation's trusted registry have been reviewed; anything else can contain anything.",
  fix: "Use an image from a trusted registry (see the policy's trustedRegistries), fully qualified: registry.example.internal/team/app:1.0.",
};
