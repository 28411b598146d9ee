import { describe, expect, it } from 'vitest';
import * as context from '../../../context/index.js';

describe('context entry point', () => {
  it('exposes the report protocol as one import', () => {
    expect(Object.keys(context).sort()).toEqual([
      'COVERAGE_GATES',
      'DEPLOY_OUTCOMES',
      'QA_REPORT_KINDS',
      'REPORT_KINDS',
      'TRUST_ALL',
      'compareReportNames',
      'environmentLedger',
      'isApprovalFresh',
      'isQaReportKind',
      'listReports',
      'liveVersion',
      'newestReport',
      'parseQaReport',
      'parseReport',
      'parseReportFileName',
      'readDeployLedger',
      'reportFileName',
      'reportStamp',
      'reportStem',
      'serializeReport',
    ]);
  });
});
