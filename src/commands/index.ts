// Every oclif command, explicitly (package.json oclif.commands: strategy explicit). The docker
// verbs come from the verb table, one class each; cida-docker's own commands have their files.
import type { Command } from '@oclif/core';
import { VERBS } from '../docker/verbs.js';
import ApprovalApprove from './approval/approve.js';
import ApprovalList from './approval/list.js';
import ApprovalReject from './approval/reject.js';
import ApprovalRequest from './approval/request.js';
import ApprovalReview from './approval/review.js';
import ApprovalRevoke from './approval/revoke.js';
import ApprovalShow from './approval/show.js';
import Audit from './audit.js';
import Check from './check.js';
import Doctor from './doctor.js';
import { dockerVerbCommand, verbCommandId } from './docker-verb-command.js';
import Lint from './lint.js';
import Setup from './setup.js';
import ShimInstall from './shim/install.js';
import ShimUninstall from './shim/uninstall.js';

export const COMMANDS: Record<string, Command.Class> = {
  ...Object.fromEntries(VERBS.map((v) => [verbCommandId(v), dockerVerbCommand(v)])),
  check: Check,
  lint: Lint,
  audit: Audit,
  'approval:request': ApprovalRequest,
  'approval:list': ApprovalList,
  'approval:show': ApprovalShow,
  'approval:approve': ApprovalApprove,
  'approval:reject': ApprovalReject,
  'approval:revoke': ApprovalRevoke,
  'approval:review': ApprovalReview,
  setup: Setup,
  doctor: Doctor,
  'shim:install': ShimInstall,
  'shim:uninstall': ShimUninstall,
};
