import { describe, expect, it } from 'vitest';
import * as context from '../../../context/index.js';

describe('context entry point', () => {
  it('exposes the report protocol as one import', () => {
    expect(Object.keys(context).sort()).toEqual([
      'COVERAGE_GATES',
      'QA_REPORT_KINDS',
      'REPORT_KINDS',
      'compareReportNames',
      'isApprovalFresh',
      'isQaReportKind',
      'listReports',
      'newestReport',
      'parseQaReport',
      'parseReport',
      'parseReportFileName',
      'reportFileName',
      'reportStamp',
      'reportStem',
      'serializeReport',
    ]);
  });
});
