import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes the workflows of this project set, so the Web UI can filter runs. */
export const OrgIdKey = defineSearchAttributeKey('OrgId', SearchAttributeType.KEYWORD);
export const PlatformKey = defineSearchAttributeKey('Platform', SearchAttributeType.KEYWORD);
export const ConnectionIdKey = defineSearchAttributeKey('ConnectionId', SearchAttributeType.KEYWORD);
/** What a run concerns (WorkflowScope): every workflow sets it, so `Scope = "deployment"` finds the ones of no org. */
export const ScopeKey = defineSearchAttributeKey('Scope', SearchAttributeType.KEYWORD);

export const CUSTOM_SEARCH_ATTRIBUTES = [OrgIdKey, PlatformKey, ConnectionIdKey, ScopeKey];

/** One connection (OrgId, Platform, ConnectionId set), one org (OrgId set), or the whole deployment (none of them). */
export type WorkflowScope = 'connection' | 'org' | 'deployment';

/** The attributes of a workflow about one connection. */
export function connectionSearchAttributes(target: { orgId: string; platform: string; connectionId: string }): SearchAttributePair[] {
  return [
    { key: OrgIdKey, value: target.orgId },
    { key: PlatformKey, value: target.platform },
    { key: ConnectionIdKey, value: target.connectionId },
    { key: ScopeKey, value: 'connection' satisfies WorkflowScope },
  ];
}

/** The attributes of a workflow about one org (over several of its connections). */
export function orgSearchAttributes(orgId: string): SearchAttributePair[] {
  return [
    { key: OrgIdKey, value: orgId },
    { key: ScopeKey, value: 'org' satisfies WorkflowScope },
  ];
}

/** The attributes of a workflow that spans every org of the deployment (key rotation, the maintenance Schedules). */
export function deploymentSearchAttributes(): SearchAttributePair[] {
  return [{ key: ScopeKey, value: 'deployment' satisfies WorkflowScope }];
}
