"""Lexicons, stop words and gazetteer of yuqing.enrich (package so that wheels include them)."""
