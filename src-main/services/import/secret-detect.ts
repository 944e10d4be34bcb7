/**
 * Which imported env values are secrets: those the file flags, those whose name says credential, and
 * those whose value has the shape of a well-known token. A false positive only hides a value in the UI;
 * a false negative would show a credential, so the rules lean towards secret.
 */

const SECRET_NAME = /TOKEN|KEY|SECRET|PASSW(?:OR)?D|CREDENTIAL|AUTH|(?:^|_)PAT(?:_|$)|COOKIE|SESSION/i;

// Prefixes of widely used credentials: GitHub, GitLab, OpenAI/Anthropic-style, Stripe, Slack, npm,
// PyPI, Hugging Face, AWS access keys, Google API keys, JWTs and PEM private keys.
const SECRET_VALUE = [
  /^gh[pousr]_[A-Za-z0-9]{20,}/,
  /^github_pat_[A-Za-z0-9_]{20,}/,
  /^glpat-[A-Za-z0-9_-]{16,}/,
  /^sk-[A-Za-z0-9_-]{16,}/,
  /^(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/,
  /^xox[abposr]-[A-Za-z0-9-]{10,}/,
  /^xapp-[A-Za-z0-9-]{10,}/,
  /^npm_[A-Za-z0-9]{30,}/,
  /^pypi-[A-Za-z0-9_-]{30,}/,
  /^hf_[A-Za-z0-9]{30,}/,
  /^(?:AKIA|ASIA)[0-9A-Z]{16}$/,
  /^AIza[0-9A-Za-z_-]{35}$/,
  /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

export function looksSecret(name: string, value: string): boolean {
  return SECRET_NAME.test(name) || SECRET_VALUE.some((pattern) => pattern.test(value.trim()));
}
