/**
 * Entry of the CDK app (`npx cdk synth`): the platform stack plus one project stack per
 * `projects/*.yaml`. An invalid spec stops synthesis: every error is printed as
 * `file:line field: message` and the process exits 1, so nothing is synthesized.
 */
import { App } from 'aws-cdk-lib';
import {
  formatSpecError,
  type LoadedSpec,
  SpecFolderError,
  SpecValidationError,
} from '../functions/core/spec/load.js';
import { buildApp, loadProjectSpecs, readSettings } from './build-app.js';

const app = new App();
const projectsDir: unknown = app.node.tryGetContext('milepost:projectsDir');

let specs: LoadedSpec[];
try {
  specs = await loadProjectSpecs(typeof projectsDir === 'string' ? projectsDir : 'projects');
} catch (e) {
  if (e instanceof SpecFolderError) {
    process.stderr.write(`milepost: ${e.message}: set the context value milepost:projectsDir\n`);
    process.exit(1);
  }
  if (!(e instanceof SpecValidationError)) throw e;
  for (const error of e.errors) process.stderr.write(`${formatSpecError(error)}\n`);
  process.stderr.write(`milepost: ${e.errors.length} error(s) in the project specs; nothing synthesized\n`);
  process.exit(1);
}
buildApp(app, specs, readSettings(app));
app.synth();
