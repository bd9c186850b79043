from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Every form renders with GOV.UK Frontend markup and the error-summary pattern."""

    form_template_name = "includes/forms/form.html"
    field_template_name = "includes/forms/field.html"
