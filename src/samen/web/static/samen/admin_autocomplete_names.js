'use strict';
// Django's autocomplete (select2) names its read-only text box by the chosen value only: an
// empty one has no accessible name (axe: aria-input-field-name). Name it after the field's label,
// or the placeholder that names the field. Runs after the admin's own autocomplete set-up.
{
    const $ = django.jQuery;
    function name(root) {
        root.querySelectorAll('.select2-selection__rendered[role=textbox]').forEach(function(box) {
            const id = box.id.replace(/^select2-/, '').replace(/-container$/, '');
            const label = document.querySelector('label[for="' + id + '"]');
            const select = document.getElementById(id);
            const text = label ? label.textContent.replace(/:\s*$/, '').trim()
                : (select && select.dataset.placeholder) || '';
            if (text) {
                box.setAttribute('aria-label', text);
            }
        });
    }
    $(function() {
        name(document);
    });
    $(document).on('formset:added', function(event) {
        name(event.target);
    });
}
