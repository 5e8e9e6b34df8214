/**
 * Staff sign-in for the console: a Cognito user pool with managed login, the groups `admin` and
 * `staff`, and one app client for the HTTP application: OAuth 2.0 authorization code flow with
 * PKCE, no client secret (the app cannot keep one in the browser's path anyway and PKCE binds the
 * code to the sign-in that asked for it), callback and sign-out URLs built from the HTTP API's
 * URL. MFA (TOTP) is optional or required. Optionally the MSP's identity provider signs people in
 * (Microsoft Entra ID or Google Workspace, through OIDC or SAML).
 */
import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The MSP's identity provider, from the context value `milepost:federation`. */
export type FederationSettings =
  | {
      /** OIDC, e.g. Entra ID (`https://login.microsoftonline.com/<tenant id>/v2.0`). */
      readonly type: 'oidc';
      /** The provider's name on the managed login page, e.g. `EntraID`. */
      readonly name: string;
      readonly issuerUrl: string;
      readonly clientId: string;
      /** Name of the Secrets Manager secret holding the client secret (never in the template). */
      readonly clientSecretName: string;
    }
  | {
      /** SAML, e.g. a Google Workspace SAML app or an Entra ID enterprise application. */
      readonly type: 'saml';
      readonly name: string;
      /** URL of the provider's SAML metadata document. */
      readonly metadataUrl: string;
    };

export interface StaffSignInProps {
  /** Base URL of the HTTP API: the callback is `<baseUrl>/auth/callback`, the sign-out return `<baseUrl>/auth/signed-out`. */
  readonly baseUrl: string;
  /** Prefix of the managed login domain (`<prefix>.auth.<region>.amazoncognito.com`); unique per region. */
  readonly domainPrefix: string;
  /** @default 'optional' */
  readonly mfa?: 'optional' | 'required';
  /** @default none: users of the pool only */
  readonly federation?: FederationSettings;
  /** How long an ID token (and so a console session) lasts. @default one hour */
  readonly sessionLength?: Duration;
}

/** The console's user pool, its managed login domain and its app client. */
export class StaffSignIn extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly client: cognito.UserPoolClient;
  public readonly domain: cognito.UserPoolDomain;
  /** Base URL of the managed login (`https://<prefix>.auth.<region>.amazoncognito.com`). */
  public readonly loginUrl: string;
  public readonly callbackUrl: string;
  public readonly signOutUrl: string;
  public readonly mfa: 'optional' | 'required';

  constructor(scope: Construct, id: string, props: StaffSignInProps) {
    super(scope, id);
    this.mfa = props.mfa ?? 'optional';
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${Stack.of(this).stackName}-staff`,
      // Staff are invited by an admin (see the README): nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      mfa: this.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new cognito.CfnUserPoolGroup(this, 'AdminGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: 'admin',
      description: 'milepost administrators: may change every project',
    });
    new cognito.CfnUserPoolGroup(this, 'StaffGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: 'staff',
      description: 'MSP staff: read every project; change the projects whose team they are on',
    });

    const providers = [cognito.UserPoolClientIdentityProvider.COGNITO];
    const federated = props.federation ? this.federate(props.federation) : undefined;
    if (federated) providers.push(cognito.UserPoolClientIdentityProvider.custom(federated.providerName));

    const base = props.baseUrl;
    this.callbackUrl = `${base}/auth/callback`;
    this.signOutUrl = `${base}/auth/signed-out`;
    this.client = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'milepost-console',
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.callbackUrl],
        logoutUrls: [this.signOutUrl],
      },
      supportedIdentityProviders: providers,
      idTokenValidity: props.sessionLength ?? Duration.hours(1),
      accessTokenValidity: props.sessionLength ?? Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    if (federated) this.client.node.addDependency(federated);

    this.domain = this.userPool.addDomain('Login', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login pages need a style for the client: Cognito's own.
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    this.loginUrl = `https://${props.domainPrefix}.auth.${Stack.of(this).region}.amazoncognito.com`;
  }

  private federate(f: FederationSettings): cognito.IUserPoolIdentityProvider & Construct {
    const attributeMapping = {
      email: cognito.ProviderAttribute.other('email'),
      fullname: cognito.ProviderAttribute.other('name'),
    };
    if (f.type === 'oidc') {
      return new cognito.UserPoolIdentityProviderOidc(this, 'Federation', {
        userPool: this.userPool,
        name: f.name,
        issuerUrl: f.issuerUrl,
        clientId: f.clientId,
        // A dynamic reference: CloudFormation reads the secret at deploy time; the template holds only its name.
        clientSecret: SecretValue.secretsManager(f.clientSecretName).unsafeUnwrap(),
        scopes: ['openid', 'email', 'profile'],
        attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
        attributeMapping,
      });
    }
    return new cognito.UserPoolIdentityProviderSaml(this, 'Federation', {
      userPool: this.userPool,
      name: f.name,
      metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(f.metadataUrl),
      attributeMapping: {
        email: cognito.ProviderAttribute.other(
          'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        ),
        fullname: cognito.ProviderAttribute.other(
          'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
        ),
      },
    });
  }
}

/** Reads `milepost:federation` (an object, or its JSON) and checks it; undefined when unset. */
export function parseFederation(value: unknown): FederationSettings | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const v = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
  const str = (k: string) => {
    const s = v[k];
    if (typeof s !== 'string' || !s) throw new Error(`milepost: milepost:federation.${k} is required`);
    return s;
  };
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(str('name')))
    throw new Error('milepost: milepost:federation.name must be 1-32 letters, digits, dashes or underscores');
  if (v.type === 'oidc')
    return {
      type: 'oidc',
      name: str('name'),
      issuerUrl: str('issuerUrl'),
      clientId: str('clientId'),
      clientSecretName: str('clientSecretName'),
    };
  if (v.type === 'saml') return { type: 'saml', name: str('name'), metadataUrl: str('metadataUrl') };
  throw new Error('milepost: milepost:federation.type must be "oidc" or "saml"');
}
