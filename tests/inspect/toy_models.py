"""Small Keras models the inspection tests are run on (built in the tests, not plugins).

The seq2seq Transformer is a small copy of the seeds' (keras.io's English-to-Spanish
example): custom layers with Dense and MultiHeadAttention inside, an encoder
and a decoder model nested in the full model, several named inputs.
"""

from __future__ import annotations

import warnings

import keras
from keras import layers, ops


class PositionalEmbedding(layers.Layer):
    """Token plus position embeddings."""

    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(vocab_size, embed_dim, name="token_embeddings")
        self.position_embeddings = layers.Embedding(sequence_length, embed_dim, name="position_embeddings")

    def call(self, inputs):
        positions = ops.arange(0, ops.shape(inputs)[-1])
        return self.token_embeddings(inputs) + self.position_embeddings(positions)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0)


def _projection(hidden_dim, embed_dim):
    return keras.Sequential(
        [layers.Dense(hidden_dim, activation="relu", name="proj_hidden"), layers.Dense(embed_dim, name="proj_out")],
        name="dense_proj",
    )


class TransformerEncoder(layers.Layer):
    """Self-attention and a Dense projection, each with a residual and LayerNorm."""

    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim, name="attention")
        self.dense_proj = _projection(dense_dim, embed_dim)
        self.layernorm_1 = layers.LayerNormalization(name="layernorm_1")
        self.layernorm_2 = layers.LayerNormalization(name="layernorm_2")
        self.supports_masking = True

    def call(self, inputs, mask=None):
        padding_mask = None if mask is None else ops.cast(mask[:, None, :], "int32")
        attention_output = self.attention(query=inputs, value=inputs, key=inputs, attention_mask=padding_mask)
        proj_input = self.layernorm_1(inputs + attention_output)
        proj_output = self.dense_proj(proj_input)
        return self.layernorm_2(proj_input + proj_output)


class TransformerDecoder(layers.Layer):
    """Causal self-attention, cross-attention to the encoder, a Dense projection."""

    def __init__(self, embed_dim, latent_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim, name="attention_1")
        self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim, name="attention_2")
        self.dense_proj = _projection(latent_dim, embed_dim)
        self.layernorm_1 = layers.LayerNormalization(name="layernorm_1")
        self.layernorm_2 = layers.LayerNormalization(name="layernorm_2")
        self.layernorm_3 = layers.LayerNormalization(name="layernorm_3")
        self.supports_masking = True

    def call(self, inputs, encoder_outputs, mask=None):
        attention_output_1 = self.attention_1(query=inputs, value=inputs, key=inputs, use_causal_mask=True)
        out_1 = self.layernorm_1(inputs + attention_output_1)
        attention_output_2 = self.attention_2(query=out_1, value=encoder_outputs, key=encoder_outputs)
        out_2 = self.layernorm_2(out_1 + attention_output_2)
        proj_output = self.dense_proj(out_2)
        return self.layernorm_3(out_2 + proj_output)


def seq2seq_transformer(vocab_size=50, sequence_length=10, embed_dim=8, latent_dim=16, num_heads=2):
    """The seeds' full Transformer: the encoder's layers and the decoder model in one model.

    As in the seed, the decoder model is called on the encoder's output tensor,
    so the full model holds the encoder's layers directly and the decoder nested.
    """
    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="encoder_inputs")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim, name="encoder_embedding")(encoder_inputs)
    encoder_outputs = TransformerEncoder(embed_dim, latent_dim, num_heads, name="transformer_encoder")(x)
    keras.Model(encoder_inputs, encoder_outputs, name="encoder")  # the seed builds it; the full model reuses its layers

    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="decoder_inputs")
    encoded_seq_inputs = keras.Input(shape=(None, embed_dim), name="decoder_state_inputs")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim, name="decoder_embedding")(decoder_inputs)
    x = TransformerDecoder(embed_dim, latent_dim, num_heads, name="transformer_decoder")(x, encoded_seq_inputs)
    x = layers.Dropout(0.5, name="dropout")(x)
    decoder_outputs = layers.Dense(vocab_size, activation="softmax", name="logits")(x)
    decoder = keras.Model([decoder_inputs, encoded_seq_inputs], decoder_outputs, name="decoder")

    with warnings.catch_warnings():
        # Keras says the nested decoder "destroys" the encoder states' mask; the seed builds it so.
        warnings.filterwarnings(
            "ignore", message=r"Layer 'decoder' \(of type Functional\) was passed an input with a mask"
        )
        decoder_outputs = decoder([decoder_inputs, encoder_outputs])
    return keras.Model([encoder_inputs, decoder_inputs], decoder_outputs, name="transformer")


def threaded_model(n_tickers=100, n_characteristics=20, hidden_units=8, n_factors=3):
    """The risk-factor autoencoder's layer stack: a Dense threaded over the tickers."""
    input_beta = keras.Input((n_tickers, n_characteristics), name="input_beta")
    input_factor = keras.Input((n_tickers,), name="input_factor")
    hidden = layers.Dense(hidden_units, activation="relu", name="hidden_layer")(input_beta)
    hidden = layers.BatchNormalization(name="batch_norm")(hidden)
    output_beta = layers.Dense(n_factors, name="output_beta")(hidden)
    output_factor = layers.Dense(n_factors, name="output_factor")(input_factor)
    output = layers.Dot(axes=(2, 1), name="output_layer")([output_beta, output_factor])
    return keras.Model([input_beta, input_factor], output, name="threaded")


class MLPBlock(layers.Layer):
    """A custom layer holding two Dense layers (no graph nodes of their own in Keras)."""

    def __init__(self, units=6, **kwargs):
        super().__init__(**kwargs)
        self.inner_a = layers.Dense(units, activation="relu", name="inner_a")
        self.inner_b = layers.Dense(units, name="inner_b")

    def call(self, inputs):
        return self.inner_b(self.inner_a(inputs)) + inputs


def custom_layer_model():
    """Input (7, 6) -> MLPBlock (two Dense inside) -> Dense head."""
    inputs = keras.Input((7, 6), name="features")
    x = MLPBlock(6, name="block")(inputs)
    outputs = layers.Dense(2, name="head")(x)
    return keras.Model(inputs, outputs, name="with_block")


def nested_model():
    """A functional model used as a layer of another one."""
    inner_inputs = keras.Input((4,), name="inner_inputs")
    inner = keras.Model(inner_inputs, layers.Dense(3, name="inner_dense")(inner_inputs), name="inner_model")
    inputs = keras.Input((4,), name="outer_inputs")
    x = inner(inputs)
    outputs = layers.Dense(1, name="outer_dense")(x)
    return keras.Model(inputs, outputs, name="outer_model")


def shared_dense_model():
    """One Dense applied to two inputs of different shapes (a Siamese pair)."""
    shared = layers.Dense(4, name="shared")
    left = keras.Input((3,), name="left")
    right = keras.Input((5, 3), name="right")
    a = shared(left)
    b = layers.Flatten(name="flatten")(shared(right))
    outputs = layers.Concatenate(name="join")([a, b])
    return keras.Model([left, right], outputs, name="siamese")


def attention_model(sequence_length=None, dim=16, heads=2, key_dim=8):
    """Self-attention over a sequence (EinsumDense projections inside)."""
    inputs = keras.Input((sequence_length, dim), name="tokens")
    outputs = layers.MultiHeadAttention(heads, key_dim, name="mha")(inputs, inputs)
    return keras.Model(inputs, outputs, name="attention")


class Sampler(layers.Layer):
    """z = mean + exp(log_var / 2) * noise, with a seed generator (state that is no weight)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        noise = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * noise


class ToyVAE(keras.Model):
    """A Model subclass without call(): an encoder and a decoder and a train_step."""

    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.sampler = Sampler(name="sampler")

    def train_step(self, data):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            z_mean, z_log_var = self.encoder(data)
            reconstruction = self.decoder(self.sampler([z_mean, z_log_var]))
            loss = ops.mean(ops.square(data - reconstruction))
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return {"reconstruction_loss": loss}


def toy_vae(features=6, latent_dim=2):
    """The VAE container with its encoder (mean and log-variance heads) and decoder."""
    encoder_inputs = keras.Input((features,), name="encoder_inputs")
    h = layers.Dense(5, activation="relu", name="encoder_hidden")(encoder_inputs)
    h = layers.BatchNormalization(name="encoder_norm")(h)
    z_mean = layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")
    latent_inputs = keras.Input((latent_dim,), name="latent_inputs")
    decoder = keras.Model(latent_inputs, layers.Dense(features, name="decoder_out")(latent_inputs), name="decoder")
    vae = ToyVAE(encoder, decoder, name="vae")
    vae.compile(optimizer="adam")
    return vae


class TinyMLP(keras.Model):
    """A subclassed model with call(): known shapes only once built or called."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(8, activation="relu", name="hidden")
        self.head = layers.Dense(1, name="head")

    def call(self, inputs):
        return self.head(self.hidden(inputs))


def char_seq2seq_lstm(num_encoder_tokens=7, num_decoder_tokens=9, latent_dim=16):
    """keras.io's character-level seq2seq: an encoder LSTM whose states start the decoder LSTM."""
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens), name="encoder_inputs")
    _, state_h, state_c = layers.LSTM(latent_dim, return_state=True, name="encoder")(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens), name="decoder_inputs")
    decoder_outputs, _, _ = layers.LSTM(latent_dim, return_sequences=True, return_state=True, name="decoder")(
        decoder_inputs, initial_state=[state_h, state_c]
    )
    outputs = layers.Dense(num_decoder_tokens, activation="softmax", name="decoder_dense")(decoder_outputs)
    return keras.Model([encoder_inputs, decoder_inputs], outputs, name="char_seq2seq")


def tiny_unet(size=32, channels=3, base=8, classes=2):
    """A two-level U-Net: convolutions down, a transposed convolution up, a skip connection."""
    inputs = keras.Input((size, size, channels), name="image")
    down = layers.Conv2D(base, 3, padding="same", activation="relu", name="down_conv")(inputs)
    pooled = layers.MaxPooling2D(name="pool")(down)
    bottom = layers.Conv2D(2 * base, 3, padding="same", activation="relu", name="bottom_conv")(pooled)
    up = layers.Conv2DTranspose(base, 2, strides=2, name="up")(bottom)
    merged = layers.Concatenate(name="skip")([up, down])
    fused = layers.Conv2D(base, 3, padding="same", activation="relu", name="fuse_conv")(merged)
    outputs = layers.Conv2D(classes, 1, name="mask")(fused)
    return keras.Model(inputs, outputs, name="unet")


def formula_macs(model):
    """MACs of a flat model from Keras's own layer shapes, one textbook formula per layer class.

    Independent of kreg's trace: it reads ``layer.input``/``layer.output`` shapes
    of the functional graph. Covers Conv1D/2D/3D, their transposes, DepthwiseConv2D,
    SeparableConv2D and Dense; raises on any other layer with a kernel.
    """
    import math

    total = 0
    for layer in model.layers:
        if getattr(layer, "kernel", None) is None and not isinstance(layer, layers.SeparableConv2D):
            continue
        in_shape, out_shape = layer.input.shape, layer.output.shape
        if isinstance(layer, layers.SeparableConv2D):
            window = math.prod(layer.kernel_size)
            depthwise_out = out_shape[1:-1]
            total += math.prod(depthwise_out) * in_shape[-1] * layer.depth_multiplier * (window + layer.filters)
        elif isinstance(layer, (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)):
            total += math.prod(in_shape[1:]) * math.prod(layer.kernel_size) * layer.filters
        elif isinstance(layer, layers.DepthwiseConv2D):
            total += math.prod(out_shape[1:]) * math.prod(layer.kernel_size)
        elif isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D)):
            total += math.prod(out_shape[1:]) * math.prod(layer.kernel_size) * in_shape[-1] // layer.groups
        elif isinstance(layer, layers.Dense):
            total += math.prod(in_shape[1:]) * layer.units
        else:
            raise NotImplementedError(type(layer).__name__)
    return total
