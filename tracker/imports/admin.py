"""The admin's Import (upload → preview → confirm), and the export of selected rows in the import's own columns."""

import logging
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from tracker.imports.limits import MAX_BYTES, SheetError
from tracker.imports.sheets import read_sheet
from tracker.imports.uploads import discard_upload, load_upload, store_upload
from tracker.outages import unreachable

logger = logging.getLogger(__name__)


class ImportForm(forms.Form):
    file = forms.FileField(label="Spreadsheet", help_text="A .csv (UTF-8) or .xlsx file of at most 10 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise ValidationError("Choose a .csv or .xlsx file.")
        if upload.size > MAX_BYTES:
            raise ValidationError("The file is larger than 10 MB: split it into several files.")
        return upload


class _PlanHasErrors(Exception):
    def __init__(self, plan):
        self.plan = plan


class ImportAdminMixin:
    """Adds Import (upload → preview → confirm) to a changelist, and exports the same columns."""

    importer = None
    change_list_template = "admin/tracker/import_change_list.html"

    def has_import_permission(self, request):
        # Change as well as add: an import updates the records it matches.
        return (
            self.has_add_permission(request)
            and self.has_change_permission(request)
            and self.importer.may_import(request.user)
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.import_confirm_view),
                name="{}_{}_import_confirm".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_context(self, request, title, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "columns": self.importer(request.user).header(),
            **context,
        }

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                sheet = read_sheet(upload.name, data)
            except SheetError as error:
                form.add_error("file", str(error))
            else:
                plan = self.importer(request.user, upload.name).plan(sheet)
                token = store_upload(request.user, self.model, upload.name, data) if plan.is_valid else ""
                return self.render_preview(request, plan, token)
        title = f"Import {self.opts.verbose_name_plural}"
        return TemplateResponse(
            request, "admin/tracker/import_upload.html", self.import_context(request, title, form=form)
        )

    def render_preview(self, request, plan, token):
        title = f"Import {self.opts.verbose_name_plural}: preview of {plan.filename}"
        context = self.import_context(request, title, plan=plan, counts=plan.counts, token=token)
        return TemplateResponse(request, "admin/tracker/import_preview.html", context)

    def import_confirm_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        token = request.POST.get("token", "")
        stored = load_upload(request.user, self.model, token)
        if stored is None:
            self.message_user(
                request, "This import has expired or was already done: upload the file again.", messages.ERROR
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        filename, data = stored
        importer = self.importer(request.user, filename)
        upload_page = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        try:
            # Planned again inside the transaction that writes it: the database
            # may have changed since the preview.
            with transaction.atomic():
                plan = importer.plan(read_sheet(filename, data), lock=True)
                if not plan.is_valid:
                    raise _PlanHasErrors(plan)
                importer.apply(plan)
        except _PlanHasErrors as refused:
            self.message_user(request, "The database changed since the preview: nothing was imported.", messages.ERROR)
            return self.render_preview(request, refused.plan, "")
        except SheetError as error:
            # The limits changed since the preview (a deployment in between).
            self.message_user(request, f"Nothing was imported. {error}", messages.ERROR)
            return HttpResponseRedirect(upload_page)
        except IntegrityError as error:
            # A record created by someone else between this plan and its write
            # (an external ID taken meanwhile): the database refused, all rolled back.
            self.message_user(
                request, f"Nothing was imported: the database refused a row ({error}). Try again.", messages.ERROR
            )
            return HttpResponseRedirect(upload_page)
        except Exception as error:
            # A sheet the preview let through and the write could not take is
            # a bug to fix, logged with its traceback; the editor is told that
            # nothing was written. A database that is down stays the 503 page.
            if unreachable(error):
                raise
            logger.exception("Import of %s by %s failed at its confirmation", filename, request.user)
            self.message_user(
                request,
                "Nothing was imported: the import failed on an error of the tracker, which is logged for its "
                "administrators. Upload the file again; if it fails again, send it to them.",
                messages.ERROR,
            )
            return HttpResponseRedirect(upload_page)
        finally:
            # An upload is confirmed at most once: whatever happened, its file goes.
            discard_upload(token)
        counts = plan.counts
        self.message_user(
            request,
            f"Imported: {counts['create']} created, {counts['update']} updated, {counts['unchanged']} unchanged.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    @admin.action(description="Export selected rows as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        # The import's columns, so the file can be edited and imported back.
        return self.importer(request.user).export_response(queryset)
