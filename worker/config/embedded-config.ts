// The configuration bundled into the Worker: the text of tracegate.yaml.
// wrangler.toml aliases `tracegate-config` to this module; another deployment
// (the e2e stack, Docker Compose) aliases it to its own two-line module that
// re-exports a different YAML file. The indirection exists because wrangler
// applies its Text rule to imported .yaml files but not to aliased ones.
import configText from '../../tracegate.yaml';

export default configText;
