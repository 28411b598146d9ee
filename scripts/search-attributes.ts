import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES } from '../vocabulary/search-attributes.js';

const KEYWORD = 2;

/** Registers shipgate's search attributes on a cluster that may not have them yet; existing ones are kept. */
export async function registerSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !(name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } finally {
    await connection.close();
  }
}
