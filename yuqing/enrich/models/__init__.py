"""Shipped model files of yuqing.enrich (package so that wheels include them)."""
