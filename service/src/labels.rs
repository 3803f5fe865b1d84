//! Class index -> WordNet id and human name, read from the model folder.

use std::path::Path;

use crate::engine::EngineError;

#[derive(Debug, Clone)]
pub struct Labels {
    wnids: Vec<String>,
    names: Vec<String>,
}

impl Labels {
    /// Reads `imagenet_synsets.txt` and `imagenet_labels.txt` (one line per class, class order).
    pub fn load(model_dir: &Path, classes: usize) -> Result<Labels, EngineError> {
        let read = |name: &str| -> Result<Vec<String>, EngineError> {
            let path = model_dir.join(name);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| EngineError::Labels(format!("cannot read {}: {e}", path.display())))?;
            let lines: Vec<String> = text.lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
            if lines.len() != classes {
                return Err(EngineError::Labels(format!(
                    "{} has {} lines, expected {classes}",
                    path.display(),
                    lines.len()
                )));
            }
            Ok(lines)
        };
        Ok(Labels { wnids: read("imagenet_synsets.txt")?, names: read("imagenet_labels.txt")? })
    }

    pub fn wnid(&self, index: usize) -> &str {
        self.wnids.get(index).map_or("", String::as_str)
    }

    pub fn name(&self, index: usize) -> &str {
        self.names.get(index).map_or("", String::as_str)
    }
}
