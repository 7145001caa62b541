import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes every workflow of this project sets, so the Web UI can filter runs. */
export const OrgIdKey = defineSearchAttributeKey('OrgId', SearchAttributeType.KEYWORD);
export const PlatformKey = defineSearchAttributeKey('Platform', SearchAttributeType.KEYWORD);
export const ConnectionIdKey = defineSearchAttributeKey('ConnectionId', SearchAttributeType.KEYWORD);

export const CUSTOM_SEARCH_ATTRIBUTES = [OrgIdKey, PlatformKey, ConnectionIdKey];
