/** The console's sign-in in the platform stack: user pool, groups, app client (PKCE, no secret), managed login, federation by context. */
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../infra/build-app.js';
import { parseFederation } from '../../infra/constructs/staff-sign-in.js';
import { type Built, buildExampleApp } from './support.js';

let built: Built;
let t: Template;
beforeAll(async () => {
  built = await buildExampleApp();
  t = built.platformTemplate;
});

describe('the staff user pool', () => {
  it('is invite-only, signs in by email, MFA optional (TOTP) by default, retained', () => {
    t.resourceCountIs('AWS::Cognito::UserPool', 1);
    t.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        DeletionProtection: 'ACTIVE',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('requires MFA when the context says so', async () => {
    const required = await buildExampleApp({ mfa: 'required' });
    required.platformTemplate.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
  });

  it('has the groups admin and staff', () => {
    const groups = Object.values(t.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(['admin', 'staff']);
  });

  it('has an app client without a secret, code flow only, callback and sign-out URLs from the API URL', () => {
    t.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const [client] = Object.values(t.findResources('AWS::Cognito::UserPoolClient'));
    const p = client!.Properties;
    expect(p.GenerateSecret).toBe(false);
    expect(p.AllowedOAuthFlows).toEqual(['code']);
    expect(p.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(p.AllowedOAuthScopes.sort()).toEqual(['email', 'openid', 'profile']);
    expect(p.SupportedIdentityProviders).toEqual(['COGNITO']);
    const api = Object.keys(t.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    const endpoint = { 'Fn::GetAtt': [api, 'ApiEndpoint'] };
    expect(p.CallbackURLs).toEqual([{ 'Fn::Join': ['', [endpoint, '/auth/callback']] }]);
    expect(p.LogoutURLs).toEqual([{ 'Fn::Join': ['', [endpoint, '/auth/signed-out']] }]);
  });

  it('serves managed login (version 2) on a domain named after the account, with Cognito’s branding', () => {
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'milepost-123456789012',
      ManagedLoginVersion: 2,
    });
    t.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true });
  });

  it('tells only the HTTP function the pool, the client and the login URL', () => {
    const functions = Object.values(t.findResources('AWS::Lambda::Function'));
    const withPool = functions.filter((f) => f.Properties.Environment?.Variables?.COGNITO_USER_POOL_ID);
    expect(withPool).toHaveLength(1);
    expect(withPool[0]!.Properties.Description).toContain('staff API');
    expect(withPool[0]!.Properties.Environment.Variables).toMatchObject({
      COGNITO_CLIENT_ID: { Ref: expect.stringMatching(/^StaffSignInUserPoolConsoleClient/) },
      COGNITO_DOMAIN: 'https://milepost-123456789012.auth.eu-west-2.amazoncognito.com',
    });
    t.hasOutput('UserPoolId', Match.anyValue());
    t.hasOutput('ConsoleUrl', Match.anyValue());
  });
});

describe('federation by context', () => {
  it('adds an OIDC provider (Entra ID) whose client secret stays in Secrets Manager', async () => {
    const { platformTemplate } = await buildExampleApp({
      federation: {
        type: 'oidc',
        name: 'EntraID',
        issuerUrl: 'https://login.microsoftonline.com/tenant-id/v2.0',
        clientId: 'entra-client',
        clientSecretName: 'milepost/entra',
      },
    });
    platformTemplate.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'EntraID',
      ProviderType: 'OIDC',
      ProviderDetails: Match.objectLike({
        client_id: 'entra-client',
        client_secret: '{{resolve:secretsmanager:milepost/entra:SecretString:::}}',
        oidc_issuer: 'https://login.microsoftonline.com/tenant-id/v2.0',
      }),
    });
    const [client] = Object.values(platformTemplate.findResources('AWS::Cognito::UserPoolClient'));
    expect(JSON.stringify(client!.Properties.SupportedIdentityProviders)).toMatch(
      /^\["COGNITO",\{"Ref":"StaffSignInFederation[A-Z0-9]+"\}\]$/,
    );
  });

  it('adds a SAML provider (Google Workspace) from its metadata URL', async () => {
    const { platformTemplate } = await buildExampleApp({
      federation: {
        type: 'saml',
        name: 'GoogleWorkspace',
        metadataUrl: 'https://idp.example.test/metadata.xml',
      },
    });
    platformTemplate.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'GoogleWorkspace',
      ProviderType: 'SAML',
      ProviderDetails: Match.objectLike({ MetadataURL: 'https://idp.example.test/metadata.xml' }),
    });
  });

  it('reads the context values and refuses wrong ones with a sentence', () => {
    const app = (context: Record<string, unknown>) =>
      new App({ context: { 'milepost:senderEmail': 'projects@msp.example.com', ...context } });
    expect(readSettings(app({ 'milepost:mfa': 'required' }), {}).mfa).toBe('required');
    expect(() => readSettings(app({ 'milepost:mfa': 'sometimes' }), {})).toThrow(/milepost:mfa must be/);
    expect(() => readSettings(app({ 'milepost:authDomainPrefix': 'Bad_Prefix' }), {})).toThrow(
      /authDomainPrefix/,
    );
    expect(
      readSettings(
        app({
          'milepost:federation': '{"type":"saml","name":"GoogleWorkspace","metadataUrl":"https://x.test/m"}',
        }),
        {},
      ).federation,
    ).toEqual({ type: 'saml', name: 'GoogleWorkspace', metadataUrl: 'https://x.test/m' });
    expect(() => parseFederation({ type: 'oidc', name: 'EntraID' })).toThrow(
      /milepost:federation.issuerUrl is required/,
    );
    expect(() => parseFederation({ type: 'ldap', name: 'X' })).toThrow(/must be "oidc" or "saml"/);
  });
});
