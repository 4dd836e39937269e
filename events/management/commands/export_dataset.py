"""manage.py export_dataset [DIR]: the published data as a versioned Frictionless data package."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events import dataset


class Command(BaseCommand):
    help = (
        "Write every published list as CSV, with a datapackage.json describing every column and a zip of "
        "them all, into DIR; an earlier package in DIR is replaced whole, a directory holding anything else is "
        "refused. Without DIR, build the package that /data/ serves, unless the one there already holds the data "
        "as it is (the site rebuilds it by itself after every public change; this only saves the first visitor "
        "the wait)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="Where to write the package (default: the one /data/ serves).")
        parser.add_argument(
            "--site-url",
            default=settings.SITE_URL,
            help="The public address of the site, for the record URLs in the files (default: SITE_URL).",
        )

    def handle(self, *args, **options):
        directory = options["directory"]
        site_url = options["site_url"]
        if not site_url.startswith(("https://", "http://")):
            raise CommandError(f"--site-url must start with https:// or http://, not {site_url!r}.")
        try:
            if directory:
                package = dataset.build(directory, site_url=site_url, license=settings.DATA_LICENSE)
            else:
                served = dataset.publish(site_url=site_url, license=settings.DATA_LICENSE)
                if served is None:
                    raise CommandError("Another process is building the data package; try again in a minute.")
                package = served[1]
                directory = "the storage /data/ serves"
        except dataset.DatasetError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot write the package to {directory}: {error.strerror or error}.") from error
        self.stdout.write(f"Data package version {package['version']}, built {package['created']}, in {directory}:")
        for resource in package["resources"]:
            self.stdout.write(f"  {resource['path']:<16} {resource['rows']:>9,} rows  {resource['bytes']:>12,} bytes")
