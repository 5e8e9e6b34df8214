/**
 * The single DynamoDB table: key names, the active-projects index and the TTL attribute.
 * The CDK PlatformStack and the local runtime both build the table from these constants.
 *
 *   project           PK=PROJECT#<id>           SK=PROJECT            GSI1PK=PROJECTS#<status> GSI1SK=<id>
 *   project child     PK=PROJECT#<id>           SK=<ENTITY>#<id>      (stage, gate, task, risk, member, ...)
 *   event (immutable) PK=PROJECT#<id>           SK=EVENT#<iso time>#<random>
 *   approval link     PK=LINK#<sha256 of id>    SK=LINK               expiresAt (TTL)
 *   digest claim      PK=DIGEST#<date>          SK=DIGEST             expiresAt (TTL) (one per day: the portfolio digest)
 *   project counter   PK=PROJECT#<id>           SK=COUNTER#<name>     value (assignments)
 *   portfolio counter PK=PORTFOLIO              SK=COUNTER#<name>     value (allocations: core/allocation-order.ts)
 */
export const TABLE = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Only project items carry GSI1 keys (sparse): query `PROJECTS#active` to list active projects. */
  projectsIndex: { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  ttlAttribute: 'expiresAt',
} as const;

/** CreateTable input for DynamoDB Local (on-demand, same keys as in AWS). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.projectsIndex.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.projectsIndex.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.projectsIndex.name,
        KeySchema: [
          { AttributeName: TABLE.projectsIndex.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: TABLE.projectsIndex.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}
