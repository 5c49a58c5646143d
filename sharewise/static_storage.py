"""Static files in production: hashed names (cached for a year) and gzip copies, made
once by `manage.py collectstatic` and served by WhiteNoise."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFiles(CompressedManifestStaticFilesStorage):
    """gzip only. WhiteNoise also writes brotli copies when the brotli package happens to
    be installed, at its slowest setting: that took most of a minute of every deploy
    (collectstatic 50 s against 2 s) for a few kilobytes less than gzip."""

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)
