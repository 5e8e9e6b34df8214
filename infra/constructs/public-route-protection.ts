/**
 * Keeps the anonymous routes (approval pages, the OpenAPI document, sign-in) apart from the staff
 * API: each public route gets its own API Gateway throttle on the stage (route settings), so a
 * flood of `/approve` requests is answered 429 by API Gateway within that route's limits and never
 * uses the staff routes' budget (the stage default); and each function behind the HTTP API gets
 * reserved concurrency of its own (the approvals function, which serves only anonymous requests,
 * and the http function), so however many requests get through, neither can take the account's
 * unreserved concurrency from the lifecycle, schedule and register functions, nor the other's.
 *
 * HTTP APIs cannot have a WAF web ACL attached (WAF protects REST APIs, CloudFront, ALB, AppSync,
 * Cognito and App Runner, not API Gateway HTTP APIs), so route throttling is the protection here;
 * a WAF rate rule needs a CloudFront distribution in front of the API.
 */
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface PublicRouteProtectionProps {
  /** The HTTP API stage whose route settings are set. */
  readonly stage: apigwv2.HttpStage;
  /** The routes without an authorizer. */
  readonly publicRoutes: apigwv2.HttpRoute[];
  /** The functions behind the HTTP API, each with its reserved concurrency (0: left unreserved). */
  readonly functions: readonly { readonly function: lambda.Function; readonly reservedConcurrency: number }[];
  /**
   * Requests per second that all public routes together may take, shared evenly: each route gets
   * its own throttle of total / routes (at least 1). A budget rather than a per-route figure, so
   * that adding a public route (a sign-in page) does not raise what anonymous callers may take.
   * @default 40
   */
  readonly totalRateLimit?: number;
  /** Burst that all public routes together may take, shared the same way. @default 80 */
  readonly totalBurstLimit?: number;
}

/** One throttle per public route (its route key) and reserved concurrency for each function behind the API. */
export class PublicRouteProtection extends Construct {
  /** Route key -> its throttle, as set on the stage. */
  public readonly routeThrottles: Record<string, { rateLimit: number; burstLimit: number }>;
  /** The reserved concurrency set on each function, by its node path (absent when left unreserved). */
  public readonly reservedConcurrency: Record<string, number>;

  constructor(scope: Construct, id: string, props: PublicRouteProtectionProps) {
    super(scope, id);
    const routes = Math.max(1, props.publicRoutes.length);
    const rateLimit = Math.max(1, Math.floor((props.totalRateLimit ?? 40) / routes));
    const burstLimit = Math.max(1, Math.floor((props.totalBurstLimit ?? 80) / routes));
    this.routeThrottles = {};
    // RouteSettings is a free-form JSON map in CloudFormation: CDK passes its keys as written.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of props.publicRoutes) {
      const routeKey = (route.node.defaultChild as apigwv2.CfnRoute).routeKey;
      this.routeThrottles[routeKey] = { rateLimit, burstLimit };
      routeSettings[routeKey] = { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit };
      // A route setting names a route key that must exist when the stage is updated.
      props.stage.node.addDependency(route);
    }
    (props.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = routeSettings;

    this.reservedConcurrency = {};
    for (const { function: fn, reservedConcurrency } of props.functions) {
      if (!(Number.isInteger(reservedConcurrency) && reservedConcurrency >= 0))
        throw new Error(`reserved concurrency of ${fn.node.path} must be a whole number, 0 or more`);
      if (reservedConcurrency === 0) continue;
      this.reservedConcurrency[fn.node.path] = reservedConcurrency;
      (fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = reservedConcurrency;
    }
  }
}
