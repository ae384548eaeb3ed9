import torch
from torch import nn

model = nn.Sequential(
    nn.Conv2d(in_channels=3, out_channels=32, kernel_size=3, padding=1),
    nn.BatchNorm2d(num_features=32),
    nn.ReLU(),
    nn.ZeroPad2d(padding=(0, 1, 0, 1)),  # uneven: the odd extra pad at the end
    nn.Conv2d(in_channels=32, out_channels=64, kernel_size=3, stride=2),
    nn.MaxPool2d(kernel_size=2),
    nn.Flatten(),  # channels-first order: the channel axis outermost
    nn.Dropout(p=0.5),
    nn.Linear(in_features=4096, out_features=10),
)
model.eval()
x = torch.zeros(1, 3, 32, 32)  # a batch of one, channels first
print(model(x).shape)
print(sum(p.numel() for p in model.parameters()))
