/**
 * How staff sign in to the console: with the user pool's managed login in AWS (Cognito, OAuth 2.0
 * authorization code flow with PKCE, an app client without a secret), or with the local sign-in
 * page of the local runtime. Either way the session is one cookie (HttpOnly, SameSite=Lax; Secure
 * and `__Host-` prefixed over HTTPS) whose value `verify` turns into the signed-in person, or
 * into nobody when it is forged, malformed or expired.
 *
 * In AWS the cookie holds the Cognito ID token itself, verified on every request with
 * aws-jwt-verify (signature against the pool's JWKS, issuer, audience = the app client, token use,
 * expiry): there is no session store, and a session ends when its token expires (the app client
 * issues ID tokens for one hour and no refresh is used, so a person removed from the pool or from
 * a group loses access within the hour).
 */
import { createHash, randomBytes } from 'node:crypto';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { StaffUser } from '../core/authorization.js';
import { signLocalSession, verifyLocalSession } from '../core/session.js';

/** Cookie names and attributes of a sign-in (see the module doc). */
export interface CookieNames {
  session: string;
  /** The short-lived state of a sign-in in progress (PKCE verifier, state, page to return to). */
  pending: string;
  secure: boolean;
}

interface SignInBase {
  readonly cookies: CookieNames;
  /** The person of a session cookie value, or undefined (forged, malformed, expired). */
  verify(value: string, now: Date): Promise<StaffUser | undefined>;
}

/** The local runtime's sign-in: a page to pick a team member of the specs. No passwords. */
export interface LocalSignIn extends SignInBase {
  readonly kind: 'local';
  /** A session value for `user`. */
  issue(user: StaffUser, now: Date): string;
}

/** Settings of the Cognito sign-in (from the environment the platform stack sets). */
export interface CognitoSettings {
  userPoolId: string;
  clientId: string;
  /** Base URL of the managed login, e.g. `https://milepost-123.auth.eu-west-2.amazoncognito.com`. */
  domain: string;
  /** Base URL of this application (the HTTP API's URL): callback and sign-out return here. */
  baseUrl: string;
}

/** The tokens the token endpoint returns for a code. */
export interface TokenSet {
  idToken: string;
}

/** Cognito's managed login. */
export interface CognitoSignIn extends SignInBase {
  readonly kind: 'cognito';
  readonly settings: CognitoSettings;
  /** The managed login URL of a new sign-in, and the verifier and state to keep until the callback. */
  start(): { url: string; state: string; verifier: string };
  /** Exchanges the code for tokens at the token endpoint (with the PKCE verifier); throws on failure. */
  exchange(code: string, verifier: string): Promise<TokenSet>;
  /** Where the browser goes to end the managed login session too. */
  logoutUrl(): string;
}

export type SignIn = LocalSignIn | CognitoSignIn;

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Cookie names over HTTP (local) or HTTPS (`__Host-`: only this host, Secure, path /). */
export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? { session: '__Host-milepost-session', pending: '__Host-milepost-signin', secure }
    : { session: 'milepost-session', pending: 'milepost-signin', secure };
}

/**
 * The local sign-in, with a secret of this process: a restart signs everyone out, and a value
 * made by anyone else (or altered) names nobody.
 */
export function localSignIn(secret: string = random(32)): LocalSignIn {
  return {
    kind: 'local',
    cookies: cookieNames(false),
    issue: (user, now) => signLocalSession(secret, user, now),
    verify: async (value, now) => verifyLocalSession(secret, value, now),
  };
}

/** The person an ID token names: its email (lower case), name and groups. */
export function userOfClaims(claims: Record<string, unknown>): StaffUser | undefined {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email) return undefined;
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : email;
  const groups = Array.isArray(claims['cognito:groups'])
    ? claims['cognito:groups'].filter((g): g is string => typeof g === 'string')
    : [];
  return { email, name, groups };
}

export interface CognitoSignInOptions {
  /** The pool's keys, for tests (in AWS the verifier fetches and caches the JWKS). */
  jwks?: Parameters<ReturnType<typeof CognitoJwtVerifier.create>['cacheJwks']>[0];
  /** The Fetch function the token exchange uses (tests). */
  fetch?: typeof fetch;
}

/** Cognito's managed login with the OAuth 2.0 code flow and PKCE (S256). */
export function cognitoSignIn(settings: CognitoSettings, options: CognitoSignInOptions = {}): CognitoSignIn {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: settings.userPoolId,
    tokenUse: 'id',
    clientId: settings.clientId,
  });
  if (options.jwks) verifier.cacheJwks(options.jwks);
  const doFetch = options.fetch ?? fetch;
  const domain = settings.domain.replace(/\/$/, '');
  const base = settings.baseUrl.replace(/\/$/, '');
  const redirectUri = `${base}/auth/callback`;
  return {
    kind: 'cognito',
    settings,
    cookies: cookieNames(true),
    start() {
      const state = random(24);
      const codeVerifier = random(48);
      const challenge = createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      return { url: `${domain}/oauth2/authorize?${query}`, state, verifier: codeVerifier };
    },
    async exchange(code, codeVerifier) {
      const response = await doFetch(`${domain}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: settings.clientId,
          code,
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
        }).toString(),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
      const body = (await response.json()) as { id_token?: unknown };
      if (typeof body.id_token !== 'string') throw new Error('the token endpoint sent no ID token');
      return { idToken: body.id_token };
    },
    logoutUrl() {
      const query = new URLSearchParams({
        client_id: settings.clientId,
        logout_uri: `${base}/auth/signed-out`,
      });
      return `${domain}/logout?${query}`;
    },
    async verify(value) {
      try {
        return userOfClaims((await verifier.verify(value)) as Record<string, unknown>);
      } catch {
        return undefined;
      }
    },
  };
}
