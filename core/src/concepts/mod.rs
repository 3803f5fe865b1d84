//! The WordNet noun hierarchy above the ImageNet classes.
