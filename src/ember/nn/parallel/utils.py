"""``consume_prefix_in_state_dict_if_present``: strip a key prefix (DDP's ``module.``) from a
state dict in place, so a checkpoint saved from a wrapped model loads into a bare one.

PyTorch keeps this helper in ``torch.nn.modules.utils``; ember has it there too, and in
``ember.nn.parallel`` beside DDP.
"""

__all__ = ["consume_prefix_in_state_dict_if_present"]


def consume_prefix_in_state_dict_if_present(state_dict, prefix):
    """Remove ``prefix`` from every key of ``state_dict`` that has it (in place), and from
    the keys of its ``_metadata``, if any."""
    for key in [k for k in state_dict if k.startswith(prefix)]:
        state_dict[key[len(prefix):]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is None:
        return
    # Metadata keys are module names: "" is the wrapper itself (kept), "module" the wrapped
    # model (it becomes the new root ""), "module.xx" its submodules.
    for key in list(metadata):
        if key and (key == prefix.replace(".", "") or key.startswith(prefix)):
            metadata[key[len(prefix):]] = metadata.pop(key)
