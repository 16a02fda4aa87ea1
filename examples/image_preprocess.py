"""Image preprocessing for a training batch: scale to [0, 1], standardize each colour
channel, and flip a random half of the images left-right with a boolean mask."""
import numpy as np


def preprocess(images, flip=None):
    scaled = images / 255.0
    mean = np.array([0.485, 0.456, 0.406])
    std = np.array([0.229, 0.224, 0.225])
    out = (scaled - mean) / std
    if flip is None:
        flip = np.random.random(len(images)) > 0.5
    out[flip] = out[flip, :, ::-1, :]
    return out


def main(batch=100, size=224):
    images = np.random.randint(0, 256, (batch, size, size, 3))
    out = preprocess(images)
    print(f"batch {out.shape}, values in [{np.min(out):.3f}, {np.max(out):.3f}]")


if __name__ == "__main__":
    main()
