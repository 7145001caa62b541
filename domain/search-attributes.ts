import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes every workflow of this project sets, so the Web UI can filter runs. */
export const OrgIdKey = defineSearchAttributeKey('OrgId', SearchAttributeType.KEYWORD);
export const PlatformKey = defineSearchAttributeKey('Platform', SearchAttributeType.KEYWORD);
export const ConnectionIdKey = defineSearchAttributeKey('ConnectionId', SearchAttributeType.KEYWORD);

export const CUSTOM_SEARCH_ATTRIBUTES = [OrgIdKey, PlatformKey, ConnectionIdKey];

/** The three attributes of a workflow about one connection. */
export function connectionSearchAttributes(target: { orgId: string; platform: string; connectionId: string }): SearchAttributePair[] {
  return [
    { key: OrgIdKey, value: target.orgId },
    { key: PlatformKey, value: target.platform },
    { key: ConnectionIdKey, value: target.connectionId },
  ];
}
