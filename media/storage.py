"""The S3-compatible storage of ``MEDIA_STORAGE=s3``: django-storages' ``S3Storage``, whose objects carry the
headers ``media.serving`` gives files served from the filesystem (S3 sets Content-Type from the name, whose
extension is the sniffed type's)."""

from __future__ import annotations

from storages.backends.s3 import S3Storage

from media.serving import headers_for


class MediaS3Storage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        parameters = super().get_object_parameters(name)
        headers = headers_for(name)
        parameters.setdefault("CacheControl", headers["Cache-Control"])
        if "Content-Disposition" in headers:
            parameters.setdefault("ContentDisposition", headers["Content-Disposition"])
        return parameters
