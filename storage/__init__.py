"""Blob stores: where media bytes live. Each implements `domain.ports.BlobStore`."""
