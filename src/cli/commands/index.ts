// Every sub-command registers itself here: one import line per command file.
// Each file calls registerCommand({ name, summary, usage, run }) from '../framework/registry'.
import './postprocess';
import './info';
import './review';
import './diff';
import './simulate';
import './show';
import './examples';
import './parity';
import './call';
import './report';
import './explain';
import './realign';
import './mcp';
import './model';
export {};
