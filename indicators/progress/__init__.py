"""The progress workbook: its layout and template, the upload checks, annotation, samples and submissions."""
