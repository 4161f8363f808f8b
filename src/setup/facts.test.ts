import { describe, expect, it } from 'vitest';
import { bundleContent, sudoersCommands, sudoersContent, sysctlConfContent } from './facts.js';
import { nodeSupported } from './install.js';

describe('broker bundle', () => {
  it('is installed as shipped (a .mjs file the launcher hands to node)', () => {
    expect(bundleContent('import x;\n')).toBe('import x;\n');
  });
});

describe('sudoers file', () => {
  const text = sudoersContent('/usr/local/lib/cida-docker/broker', 'cida-docker', 'CIDA_DOCKER_REQUEST');
  it('names the broker alone, with no arguments, for the group, without a password', () => {
    expect(text).toContain('%cida-docker ALL=(root) NOPASSWD: /usr/local/lib/cida-docker/broker ""\n');
    expect(sudoersCommands(text)).toEqual(['/usr/local/lib/cida-docker/broker ""']);
  });
  it('keeps only the request variable', () => {
    expect(text).toContain('Defaults!/usr/local/lib/cida-docker/broker env_reset, env_keep = "CIDA_DOCKER_REQUEST"\n');
    expect(text).not.toMatch(/docker ALL=.*\/bin\/docker/);
  });
  it('reads the commands of hand-written rules, to spot docker named there', () => {
    expect(sudoersCommands('%dev ALL=(ALL) NOPASSWD: /usr/bin/docker, /bin/ls # x\nDefaults env_reset\n')).toEqual([
      '/usr/bin/docker',
      '/bin/ls',
    ]);
    expect(sudoersCommands('jenkins ALL = (root) NOPASSWD:SETENV: /usr/local/bin/docker *\n')).toEqual([
      '/usr/local/bin/docker *',
    ]);
  });
});

describe('port range file', () => {
  it('persists the policy range for sysctl --system', () => {
    expect(sysctlConfContent({ min: 49153, max: 65535 })).toContain('net.ipv4.ip_local_port_range = 49153 65535\n');
  });
});

describe('node versions', () => {
  it('accepts 20 and later (the bundle targets node20 and is a .mjs file)', () => {
    expect(nodeSupported('20.0.0')).toBe(true);
    expect(nodeSupported('18.20.4')).toBe(false);
    expect(nodeSupported('24.1.0')).toBe(true);
  });
});
