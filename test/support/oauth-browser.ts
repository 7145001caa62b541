/**
 * What a user's browser does between our authorization URL and our redirect URI: follows the
 * authorization server's redirects, carrying its cookies, until the server sends it to the redirect
 * URI. The test server logs in and consents by itself, so no form needs filling.
 */
export async function authorizeInBrowser(authorizationUrl: string, redirectUri: string): Promise<URLSearchParams> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(redirectUri)) return new URL(url).searchParams;
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') } });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const separator = pair!.indexOf('=');
      const name = pair!.slice(0, separator).trim();
      const value = pair!.slice(separator + 1).trim();
      // An expired cookie is the server deleting it.
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`the authorization server stopped at ${response.status} without redirecting: ${(await response.text()).slice(0, 500)}`);
    }
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}
