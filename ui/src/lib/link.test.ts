import { describe, expect, it } from 'vitest';
import { linkParts } from './link';

const joined = (url: string) => Object.values(linkParts(url)).join('');

describe('linkParts', () => {
  it('sets the real host apart from look-alike subdomains, paths and user names', () => {
    expect(linkParts('https://paypa1.com.evil.example/login?next=/paypal.com')).toEqual({
      scheme: 'https://', userinfo: '', host: 'paypa1.com.evil.example', rest: '/login?next=/paypal.com',
    });
    expect(linkParts('https://paypal.com@evil.example/')).toEqual({
      scheme: 'https://', userinfo: 'paypal.com@', host: 'evil.example', rest: '/',
    });
    expect(linkParts('http://127.0.0.1:9/login').host).toBe('127.0.0.1:9');
    expect(linkParts('mailto:someone@example.org?subject=x')).toEqual({
      scheme: 'mailto:', userinfo: '', host: 'someone@example.org', rest: '?subject=x',
    });
  });

  it('gives back every character of the link, emphasising nothing in a link of another shape', () => {
    const long = `https://example.com/${'a/'.repeat(3000)}?q=${'x'.repeat(500)}`;
    for (const url of [long, 'https://example.com', 'ftp://x.example/', 'weird\nlink', 'https://a.example#frag']) {
      expect(joined(url)).toBe(url);
    }
    expect(linkParts('ftp://x.example/')).toEqual({ scheme: '', userinfo: '', host: '', rest: 'ftp://x.example/' });
  });
});
