"""A keras-hub backbone registered with kreg: no TensorFlow, Keras or keras-hub imported here."""

import kreg


@kreg.hookimpl
def kreg_register_architectures(register):
    register(
        kreg.Architecture(
            name="hub-bert-mlm",
            summary="keras-hub's BertBackbone built from config, trained to fill in masked tokens",
            builder="kreg_hub_bert.model:build",
            data_adapter="kreg_hub_bert.data:make_dataset",
            train_step="kreg_hub_bert.train:train_step",
            hyperparameters={
                "vocabulary_size": 1000,
                "num_layers": 2,
                "num_heads": 2,
                "hidden_dim": 64,
                "intermediate_dim": 128,
                "sequence_length": 32,
                "mask_rate": 0.15,  # only the data adapter uses it; the builder still receives it
                "learning_rate": 0.001,
            },
            presets={"smoke": {"vocabulary_size": 64, "hidden_dim": 16, "intermediate_dim": 32, "sequence_length": 16}},
            tags=("keras-hub", "transformer", "custom-train-step"),
            batch_size=16,
        )
    )
